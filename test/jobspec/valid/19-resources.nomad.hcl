job "resources" {
  group "g" {
    task "cpu" {
      driver = "exec"
      config { command = "x" }
      resources {
        cpu        = 1500
        memory     = 1024
        memory_max = 2048
        secrets    = 50
      }
    }
    task "cores" {
      driver = "exec"
      config { command = "y" }
      resources {
        cores  = 2
        memory = 512
      }
    }
  }
}
