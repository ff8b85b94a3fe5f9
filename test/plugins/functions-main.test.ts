import { app } from "@azure/functions";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The Functions app registers both functions from its one entry point (package.json "main"). */
it("registers the webhook HTTP trigger and the re-rank timer", () => {
  const http = jest.spyOn(app, "http").mockImplementation(() => undefined);
  const timer = jest.spyOn(app, "timer").mockImplementation(() => undefined);
  // Loaded after the spies are in place, as the Functions host loads the app module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../plugins/functions-main");
  expect(http.mock.calls.map((c) => c[0])).toEqual(["ctTieringWebhook"]);
  expect(timer.mock.calls.map((c) => c[0])).toEqual(["ctTieringRerank"]);
  const pkg = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { main: string };
  expect(pkg.main).toBe("dist/plugins/functions-main.js");
  jest.restoreAllMocks();
});
