# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 16:9: "args" is an argument in Nomad's job files: write args = { … } instead of args { … }
# expect: 25:7: "meta" is a block in Nomad's job files: write meta { … } instead of meta = …
# expect: 38:9: "options" is a block in Nomad's job files: write options { … } instead of options = …
# Nomad reads most maps only as blocks (artifact options, service meta…), and
# a CNI network's args only as an argument; meta and env of the job, group
# and task go either way.
job "forms" {
  meta = { team = "data" }

  group "g" {
    network {
      mode = "cni/vlan"

      cni {
        args {
          VLAN = "7"
        }
      }
    }

    service {
      name     = "forms"
      provider = "nomad"
      meta     = { version = "2" }
    }

    task "t" {
      driver = "exec"
      env    = { MODE = "batch" }

      config {
        command = "/usr/bin/forms"
      }

      artifact {
        source  = "https://example.com/forms.tar.gz"
        options = { checksum = "sha256:abc" }
      }
    }
  }
}
