# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 1:1: no job block: a job file needs job "<id>" { … }
variable "x" {
  default = 1
}
