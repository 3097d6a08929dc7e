variable "env" {
  default = "prod"
}

locals {
  name     = "${local.prefix}-api"
  prefix   = "${var.env}-team"
  replicas = var.env == "prod" ? 3 : 1
  tags     = concat(["api"], local.extra_tags)
  extra_tags = [for t in ["a", "b"] : "tag-${t}"]
}

locals {
  image = format("registry.local/%s:%s", local.name, "v2")
}

job "locals" {
  group "api" {
    count = local.replicas
    task "api" {
      driver = "docker"
      config {
        image = local.image
      }
      meta {
        name = local.name
        tags = join(",", local.tags)
      }
    }
  }
}
