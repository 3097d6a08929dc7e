variable "ports" {
  default = {
    http    = 8080
    metrics = 9090
  }
}

variable "enable_debug" {
  default = true
}

job "for-exprs" {
  group "g" {
    count = var.enable_debug ? 1 : 2
    network {
      dynamic "port" {
        for_each = var.ports
        labels   = [port.key]
        content {
          to = port.value
        }
      }
    }
    task "t" {
      driver = "exec"
      config {
        command = "app"
        args    = [for name, p in var.ports : "--${name}=${p}"]
      }
      env = { for k, v in var.ports : upper(k) => format("%d", v) }
      meta {
        mode = var.enable_debug ? "debug" : "release"
        list = "%{ for k, v in var.ports }${k}:${v};%{ endfor }"
      }
    }
  }
}
