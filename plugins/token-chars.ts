// Its own module: the CLI checks tokens with it without loading the plugin service (zod, @azure/identity).

/**
 * What a bearer token may hold (RFC 6750 section 2.1, b64token): checked at start-up, so a pasted token with a
 * newline or quote fails here, by name, instead of inside fetch with the token in the error message.
 */
export const TOKEN_CHARS = /^[A-Za-z0-9\-._~+/]+=*$/;
