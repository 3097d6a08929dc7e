variable "image" {
  type        = string
  description = "The container image"
  default     = "nginx:1.25"
}

variable "replicas" {
  type    = number
  default = 3
}

variable "datacenters" {
  type    = list(string)
  default = ["dc1", "dc2"]
}

variable "labels" {
  type    = map(string)
  default = { team = "web", env = "prod" }
}

variable "resources" {
  type = object({
    cpu    = number
    memory = number
  })
  default = { cpu = 250, memory = 512 }
}

variable "debug" {
  type    = bool
  default = false
}

job "vars" {
  datacenters = var.datacenters
  meta        = var.labels
  group "web" {
    count = var.replicas
    task "nginx" {
      driver = "docker"
      config {
        image = var.image
      }
      env {
        DEBUG = var.debug
      }
      resources {
        cpu    = var.resources.cpu
        memory = var.resources.memory
      }
    }
  }
}
