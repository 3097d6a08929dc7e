job "artifacts" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "local/app" }
      artifact {
        source      = "https://example.com/app.tar.gz"
        destination = "local/bin"
        options {
          checksum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
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
