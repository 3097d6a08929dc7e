variable "settings" {
  type    = object({ replicas = number })
  default = { replicas = 2 }
}

job "try-can" {
  meta {
    has_image = can(var.settings.image)
    image     = try(var.settings.image, "nginx:latest")
    first     = coalesce("", "fallback")
    compacted = join(",", compact(["a", "", "b"]))
    distinct  = length(distinct([1, 1, 2]))
  }
  group "g" {
    count = try(var.settings.replicas, 1)
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
