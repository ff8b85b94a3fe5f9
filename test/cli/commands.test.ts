import { COMMANDS } from "../../cli/main";

// cli/main.ts lists each command's name and summary itself, so that only the command that runs is loaded: the list
// must say what the command modules say.
describe("the command list", () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("%s: name and summary as in its module", (_, entry) => {
    const command = entry.load();
    expect(command.name).toBe(entry.name);
    expect(command.summary).toBe(entry.summary);
  });
});
