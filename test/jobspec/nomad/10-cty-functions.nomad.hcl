# Functions as Nomad's HCL library (go-cty) computes them: yamlencode quotes
# every string and sorts keys, coalesce takes the first non-null value even
# when it is "", and a variable's type is exact.
variable "limits" {
  type = object({ cpu = number, memory = number, labels = list(string) })

  default = {
    cpu    = 500
    memory = 256
    labels = ["batch", "nightly"]
  }
}

job "cty" {
  type = "batch"

  meta {
    limits   = yamlencode(var.limits)
    notes    = yamlencode({ banner = "line one\nline two\n", empty = {}, none = null })
    owner    = coalesce("", "ops")
    fallback = coalesce(null, "ops")
  }

  group "g" {
    task "report" {
      driver = "exec"

      config {
        command = "/usr/bin/report"
      }
    }
  }
}
