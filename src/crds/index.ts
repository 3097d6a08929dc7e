export * from "./common.js";
export * from "./nodepool.js";
export * from "./registry.js";
