variable "env" {
  type    = string
  default = "staging"
  validation {
    condition     = contains(["staging", "prod"], var.env)
    error_message = "The env must be staging or prod."
  }
}

variable "count" {
  type    = number
  default = 2
  validation {
    condition     = var.count > 0 && var.count <= 10
    error_message = "Count must be between 1 and 10."
  }
}

job "validated" {
  meta { env = var.env }
  group "g" {
    count = var.count
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
