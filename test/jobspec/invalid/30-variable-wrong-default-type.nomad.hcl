# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:13: invalid default for variable "n": number required, got string
variable "n" {
  type    = number
  default = "many"
}

job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
