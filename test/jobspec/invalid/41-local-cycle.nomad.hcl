# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:3: local "a" refers to itself through other locals
locals {
  a = local.b
  b = local.a
}

job "bad" {
  meta {
    a = local.a
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
