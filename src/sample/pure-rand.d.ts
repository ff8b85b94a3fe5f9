// The build uses `moduleResolution: node`, which ignores package.json "exports"; pure-rand v8 only publishes its
// entry points there. Point the public subpaths at the type files that ship with the package. Runtime `require`
// honours "exports", so these specifiers resolve normally in Node.
declare module "pure-rand/generator/xoroshiro128plus" {
  export * from "pure-rand/lib/generator/xoroshiro128plus";
}
declare module "pure-rand/distribution/uniformFloat64" {
  export * from "pure-rand/lib/distribution/uniformFloat64";
}
declare module "pure-rand/distribution/uniformInt" {
  export * from "pure-rand/lib/distribution/uniformInt";
}
