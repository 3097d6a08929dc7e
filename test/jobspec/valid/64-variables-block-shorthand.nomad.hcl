variables {
  region = "eu"
  tags   = ["x", "y"]
}

job "var-shorthand" {
  region = var.region
  meta {
    tags = join("-", var.tags)
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
