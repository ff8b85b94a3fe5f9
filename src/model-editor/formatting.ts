/** The part of context.formatting the model editor's views use (a type of its own, shared by both views). */
export interface EditorFormatting {
  formatDecimal(value: number, precision?: number): string;
  formatInteger(value: number): string;
  formatDateShort(value: Date): string;
}
