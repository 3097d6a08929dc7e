job "consul" {
  group "g" {
    consul {
      cluster   = "east"
      namespace = "apps"
      partition = "default"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
      consul {
        namespace = "team"
      }
    }
  }
}
