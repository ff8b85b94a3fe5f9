/**
 * The Azure Functions app's entry point (package.json "main"): the webhook HTTP trigger and the nightly re-rank
 * timer, each registering itself with the v4 programming model on import.
 * https://learn.microsoft.com/azure/azure-functions/functions-reference-node?pivots=nodejs-model-v4#registering-a-function
 */
import "./functions";
import "./rerank/timer";
