# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 18:9: task "t": artifact sha256 checksum "abcd" must be 64 hexadecimal digits
# expect: 26:9: task "t": artifact checksum type "crc32" is not supported; use md5, sha1, sha256 or sha512
# expect: 34:9: task "t": artifact checksum must be given as "type:value", not "md5=0cc175b9c0f1b6a831c399e269772661"
# An artifact's checksum is "type:hex digest" of that type's length.
job "fetch" {
  group "g" {
    task "t" {
      driver = "exec"

      config {
        command = "local/app"
      }

      artifact {
        source = "https://example.com/app.tar.gz"

        options {
          checksum = "sha256:abcd"
        }
      }

      artifact {
        source = "https://example.com/tool.zip"

        options {
          checksum = "crc32:1a2b3c4d"
        }
      }

      artifact {
        source = "https://example.com/data.csv"

        options {
          checksum = "md5=0cc175b9c0f1b6a831c399e269772661"
        }
      }
    }
  }
}
