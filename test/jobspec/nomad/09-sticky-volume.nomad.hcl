# A group that wants the same dynamic host volume back when its allocation is
# replaced (Caravan reads it and warns that its scheduler does not enforce it).
job "ledger" {
  group "db" {
    volume "pages" {
      type            = "host"
      source          = "ledger-pages"
      sticky          = true
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
    }

    task "store" {
      driver = "docker"

      config {
        image = "example/ledger:5"
      }

      volume_mount {
        volume      = "pages"
        destination = "/var/lib/ledger"
      }
    }
  }
}
