// How a template's service query names what it reads: consul-template's
// "[tag.]name[@datacenter]" form.
import { describe, expect, it } from "vitest";
import { parseServiceQuery } from "../../../src/agent/templates/sources.js";

describe("parseServiceQuery", () => {
  it("reads the name, an optional tag before the last dot, and ignores a datacenter", () => {
    expect(parseServiceQuery("web")).toEqual({ name: "web" });
    expect(parseServiceQuery("v1.web")).toEqual({ tag: "v1", name: "web" });
    expect(parseServiceQuery("release.v1.web")).toEqual({ tag: "release.v1", name: "web" });
    expect(parseServiceQuery("web@dc2")).toEqual({ name: "web" });
    expect(parseServiceQuery("v1.web@dc2")).toEqual({ tag: "v1", name: "web" });
  });
});
