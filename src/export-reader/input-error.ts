/** Bad input in an export folder or a model file: names the file, line and column so a person can fix it. */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly column: string | null,
    readonly reason: string,
  ) {
    super(`${file}${line != null ? `:${line}` : ""}${column ? ` column ${column}` : ""}: ${reason}`);
  }
}
