# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 9:50: unknown variable "vr"; declare it with a variable block, or write runtime values inside a string, e.g. "${vr…}"
# A validation condition that names a variable root that does not exist.
variable "tier" {
  type    = string
  default = "gold"

  validation {
    condition     = contains(["gold", "silver"], vr.tier)
    error_message = "tier must be gold or silver"
  }
}

job "tiers" {
  group "g" {
    task "t" {
      driver = "exec"

      config {
        command = "/usr/bin/tier"
        args    = [var.tier]
      }
    }
  }
}
