import {
  parseInstant,
  parseModel,
  rankPopulation,
  RankTableError,
  rankTableFromColumns,
  rankTableToColumns,
} from "../../src/engine";
import { ladder } from "./builders";

describe("the RankTable on ct_tiermodel", () => {
  const table = rankPopulation(ladder([5, 4, 3, 2, 1]), parseModel({}), parseInstant("2024-01-01")).table;

  it("round-trips through ct_cutpointsjson and ct_kpiquantilesjson", () => {
    const c = rankTableToColumns(table);
    expect(JSON.parse(c.ct_cutpointsjson)).toMatchObject({ v: 1, method: "percentile", n: 5, activeInWindow: 5 });
    expect(Object.keys(JSON.parse(c.ct_kpiquantilesjson))).toEqual([
      "monetary",
      "frequency",
      "recency",
      "pipeline",
      "won",
    ]);
    expect(rankTableFromColumns(c.ct_cutpointsjson, c.ct_kpiquantilesjson)).toEqual(table);
  });

  it("is null before the first re-rank", () => {
    expect(rankTableFromColumns(null, "")).toBeNull();
  });

  it("names the column that holds something else", () => {
    const c = rankTableToColumns(table);
    expect(() => rankTableFromColumns("{oops", c.ct_kpiquantilesjson)).toThrow(
      new RankTableError("ct_cutpointsjson: not a JSON object"),
    );
    expect(() => rankTableFromColumns('{"v":2}', c.ct_kpiquantilesjson)).toThrow(/ct_cutpointsjson: not a version 1/);
    const k = JSON.parse(c.ct_kpiquantilesjson);
    delete k.recency.lt;
    expect(() => rankTableFromColumns(c.ct_cutpointsjson, JSON.stringify(k))).toThrow(
      /ct_kpiquantilesjson: "recency" is not a quantile table/,
    );
  });
});
