# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:5: unknown constraint operator "like"; use one of =, ==, is, !=, not, <, <=, >, >=, distinct_hosts, distinct_property, regexp, version, semver, set_contains, set_contains_all, set_contains_any, is_set, is_not_set
job "bad" {
  constraint {
    attribute = "${attr.kernel.name}"
    operator  = "like"
    value     = "linux"
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
