job "files" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
      template {
        data        = file("files/app.conf")
        destination = "local/app.conf"
      }
      meta {
        exists  = fileexists("files/app.conf")
        missing = fileexists("files/nope.conf")
        base    = basename("files/app.conf")
      }
    }
  }
}
