# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:13: variable "settings" needs an exact type: "any" and element-less list, set or map are not allowed in Nomad's job files; write e.g. map(string) or object({ replicas = number })
# Nomad reads a variable's type as an exact type: no "any", no bare list.
variable "settings" {
  type    = map(any)
  default = { replicas = 2 }
}

variable "zones" {
  type    = list
  default = ["a"]
}

job "inexact" {
  group "g" {
    task "t" {
      driver = "exec"

      config {
        command = "/usr/bin/run"
      }
    }
  }
}
