import fc from "fast-check";
import { addMonths, parseInstant } from "../../src/engine";

describe("parseInstant", () => {
  it.each([
    ["2024-02-29", Date.UTC(2024, 1, 29)],
    ["2024-02-29T23:59:59Z", Date.UTC(2024, 1, 29, 23, 59, 59)],
    ["2024-02-29T23:59:59.5Z", Date.UTC(2024, 1, 29, 23, 59, 59, 500)],
    ["2024-03-01T01:30:00+02:00", Date.UTC(2024, 1, 29, 23, 30)],
    ["2024-03-01T01:30:00", Date.UTC(2024, 2, 1, 1, 30)],
    ["2024-03-01 01:30", Date.UTC(2024, 2, 1, 1, 30)],
    ["2000-02-29", Date.UTC(2000, 1, 29)],
  ])("reads %s", (text, ms) => expect(parseInstant(text)).toBe(ms));

  it.each([
    "2023-02-29",
    "1900-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-04-31",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:60:00Z",
    "24-01-01",
    "2024/01/01",
    "",
    "2024-01-01T10:00:00+25:00",
    "2024-01-0１",
  ])("rejects %j", (text) => expect(parseInstant(text)).toBeNaN());

  it("agrees with Date.parse on every valid Zulu instant", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2199, 11, 31)), noInvalidDate: true }),
        (d) => {
          const whole = Math.floor(d.getTime() / 1000) * 1000;
          const text = new Date(whole).toISOString().replace(".000Z", "Z");
          expect(parseInstant(text)).toBe(whole);
          expect(parseInstant(text.slice(0, 10))).toBe(Date.parse(text.slice(0, 10)));
        },
      ),
    );
  });
});

describe("addMonths", () => {
  it("keeps the time of day and clamps to the month's last day", () => {
    expect(new Date(addMonths(Date.UTC(2024, 2, 31, 12), -1)).toISOString()).toBe("2024-02-29T12:00:00.000Z");
    expect(new Date(addMonths(Date.UTC(2023, 2, 31), -1)).toISOString()).toBe("2023-02-28T00:00:00.000Z");
    expect(new Date(addMonths(Date.UTC(2024, 0, 15), -12)).toISOString()).toBe("2023-01-15T00:00:00.000Z");
    expect(new Date(addMonths(Date.UTC(2024, 0, 31), 1)).toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });
});
