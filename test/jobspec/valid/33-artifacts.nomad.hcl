job "artifacts" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "local/app" }
      artifact {
        source      = "https://example.com/app.tar.gz"
        destination = "local/bin"
        options {
          checksum = "sha256:abcd"
        }
      }
      artifact {
        source   = "git::https://github.com/example/repo"
        mode     = "dir"
        chown    = true
        insecure = false
        headers {
          Authorization = "Bearer token"
        }
      }
      artifact {
        source      = "https://example.com/config.yml"
        destination = "local/config.yml"
        mode        = "file"
      }
    }
  }
}
