# A file written in every comment style.
// Line comment.
/* Block
   comment */
job "styles" { # trailing comment
  datacenters = [
    "dc1", // first
    "dc2", # second
  ]
  meta { a = "1" }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
