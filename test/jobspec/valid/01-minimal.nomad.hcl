job "minimal" {
  group "app" {
    task "server" {
      driver = "exec"
      config {
        command = "/bin/sleep"
        args    = ["3600"]
      }
    }
  }
}
