import { describe, expect, it } from "vitest";
import { multiError } from "../../../src/common/multierror.js";

describe("multiError", () => {
  it("renders one error and several as go-multierror prints them", () => {
    expect(multiError(["Missing job ID"])).toBe("1 error occurred:\n\t* Missing job ID\n\n");
    expect(multiError(["a", "b"])).toBe("2 errors occurred:\n\t* a\n\t* b\n\n");
  });
});
