job "meta-attr" {
  meta = {
    "build.sha" = "abc123"
    enabled     = true
  }
  group "g" {
    meta = { role = "primary" }
    task "t" {
      driver = "exec"
      meta   = { port = 8080 }
      config { command = "/bin/true" }
    }
  }
}
