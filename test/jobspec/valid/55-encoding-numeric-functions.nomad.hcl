job "encodings" {
  meta {
    b64      = base64encode("user:pass")
    decoded  = base64decode("aGVsbG8=")
    json     = jsonencode({ a = [1, 2], b = "x" })
    parsed   = jsondecode("{\"n\": 5}").n
    url      = urlencode("a b&c")
    md5      = md5("x")
    sha1     = sha1("x")
    sha256   = sha256("x")
    abs      = abs(-3)
    ceil     = ceil(1.1)
    floor    = floor(1.9)
    max      = max(1, 5, 3)
    min      = min(4, 2)
    pow      = pow(2, 10)
    parseint = parseint("777", 8)
    signum   = signum(-9)
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
