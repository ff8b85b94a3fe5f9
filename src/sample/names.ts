import type { Rng } from "./rng";

// Company names built from word lists. A few patterns carry commas, double quotes, apostrophes and non-ASCII
// letters on purpose: real CRM exports have them, and every reader of the export folder must cope.

const SURNAMES = [
  "Adler",
  "Bergström",
  "Baker",
  "Castillo",
  "Dubois",
  "Eriksen",
  "Fischer",
  "García",
  "Hartmann",
  "Ibrahim",
  "Jansen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Novak",
  "O'Brien",
  "Petrov",
  "Quinn",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Urbano",
  "Vogel",
  "Walsh",
  "Yilmaz",
  "Zimmermann",
  "Andersson",
  "Bianchi",
  "Costa",
  "Dvořák",
  "Esposito",
  "Fernández",
  "Gruber",
  "Haas",
  "Ivanova",
  "Jovanović",
  "Keller",
  "Lindqvist",
  "Martín",
  "Nielsen",
  "Olsen",
  "Peeters",
  "Ramos",
  "Schneider",
  "Takahashi",
  "van Dijk",
  "Weber",
  "Wójcik",
  "Young",
  "Zhang",
  "Patel",
  "Nguyen",
  "Kim",
  "Singh",
  "Murphy",
  "Lambert",
  "Mercier",
  "Horvat",
  "Nowak",
  "Svensson",
] as const;

const PLACES = [
  "Northwind",
  "Contoso",
  "Fabrikam",
  "Litware",
  "Proseware",
  "Woodgrove",
  "Tailspin",
  "Wingtip",
  "Relecloud",
  "Alpine",
  "Atlantic",
  "Baltic",
  "Cascade",
  "Danube",
  "Elbe",
  "Fjord",
  "Granite",
  "Harbor",
  "Highland",
  "Lakeside",
  "Meridian",
  "Nordic",
  "Pacific",
  "Rhine",
  "Riverside",
  "Summit",
  "Thames",
  "Valley",
  "Westfield",
  "Blue Ridge",
  "Silver Creek",
  "Red Rock",
  "Oakwood",
  "Evergreen",
  "Iron Bay",
  "Sunridge",
  "Stonebridge",
  "Zürich",
  "Köln",
  "Malmö",
  "Kraków",
  "Sevilla",
  "Lyon",
  "Porto",
  "Gent",
  "Bergen",
  "Linz",
  "Tampere",
] as const;

const TRADES = [
  "Logistics",
  "Engineering",
  "Foods",
  "Pharma",
  "Systems",
  "Tooling",
  "Packaging",
  "Plastics",
  "Electronics",
  "Textiles",
  "Furniture",
  "Construction",
  "Automotive",
  "Chemicals",
  "Medical",
  "Software",
  "Energy",
  "Metals",
  "Printing",
  "Optics",
  "Robotics",
  "Hydraulics",
  "Agritech",
  "Beverages",
  "Marine",
  "Aerospace",
  "Labs",
  "Distribution",
  "Wholesale",
  "Facility Services",
  "Office Supplies",
  "Industrial Supply",
  "Instruments",
] as const;

const SUFFIXES = [
  "GmbH",
  "AG",
  "Ltd",
  "Inc.",
  "LLC",
  "S.A.",
  "SARL",
  "B.V.",
  "AB",
  "A/S",
  "Oy",
  "S.p.A.",
  "Sp. z o.o.",
  "Corp.",
  "plc",
  "KG",
] as const;

const NICKNAMES = [
  "Blue Sky",
  "Golden Gate",
  "Red Fox",
  "Polar Star",
  "Green Leaf",
  "Iron Horse",
  "Silver Line",
] as const;

/** A plausible B2B company name; deterministic for a given rng state. */
export function companyName(rng: Rng): string {
  const pattern = rng.weighted([0, 1, 2, 3, 4, 5], [34, 30, 14, 10, 8, 4]);
  switch (pattern) {
    case 0:
      return `${rng.pick(PLACES)} ${rng.pick(TRADES)} ${rng.pick(SUFFIXES)}`;
    case 1:
      return `${rng.pick(SURNAMES)} ${rng.pick(TRADES)} ${rng.pick(SUFFIXES)}`;
    case 2:
      return `${rng.pick(SURNAMES)} & ${rng.pick(SURNAMES)} ${rng.pick(SUFFIXES)}`;
    case 3:
      // "Weber, Rossi & Partners": the comma forces CSV quoting.
      return `${rng.pick(SURNAMES)}, ${rng.pick(SURNAMES)} & Partners`;
    case 4:
      return `${rng.pick(PLACES)} ${rng.pick(TRADES)} (${rng.pick(PLACES)}) ${rng.pick(SUFFIXES)}`;
    default:
      // Trading names in quotes, as people type them into CRMs: quotes are doubled in CSV.
      return `"${rng.pick(NICKNAMES)}" ${rng.pick(TRADES)} ${rng.pick(SUFFIXES)}`;
  }
}
