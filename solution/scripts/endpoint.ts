/** The service endpoint the solution ships (Other/Customizations.xml); `tiering configure` finds it by this name. */
export const WEBHOOK_ENDPOINT_NAME = "Customer Tiering webhook";

/** serviceendpoint.contract: 8 = Webhook. https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/serviceendpoint */
export const WEBHOOK_CONTRACT = 8;

/**
 * serviceendpoint.authtype: 4 = WebhookKey, which Dataverse passes to the webhook as the query string parameter `code`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/register-web-hook
 */
export const WEBHOOK_KEY_AUTH = 4;

/**
 * The solution ships its endpoint on this placeholder (Other/Customizations.xml) until `tiering configure` sets the
 * environment's own; `.invalid` never resolves (RFC 2606), so an unconfigured endpoint fails fast.
 */
export const PLACEHOLDER_ENDPOINT_URL = "https://customer-tiering.invalid/api/webhook";
