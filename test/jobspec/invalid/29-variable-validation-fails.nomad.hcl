# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:5: invalid value for variable "replicas": replicas must be positive
variable "replicas" {
  type    = number
  default = 0
  validation {
    condition     = var.replicas > 0
    error_message = "replicas must be positive"
  }
}

job "bad" {
  group "g" {
    count = var.replicas
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
