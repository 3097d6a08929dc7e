job "env-attr" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "env" }
      env = {
        "dotted.key" = "value"
        NUMBER      = 42
        BOOL        = true
        ADDR        = "${NOMAD_ADDR_http}"
      }
    }
  }
}
