job "disk" {
  group "g" {
    ephemeral_disk {
      size    = 2048
      migrate = true
      sticky  = true
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
