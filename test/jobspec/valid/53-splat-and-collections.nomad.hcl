locals {
  backends = [
    { host = "a.internal", weight = 2 },
    { host = "b.internal", weight = 1 },
  ]
  hosts   = local.backends[*].host
  weights = local.backends.*.weight
}

job "splat" {
  meta {
    hosts     = join(",", local.hosts)
    total     = max(local.weights...)
    first     = local.backends[0].host
    sorted    = join(",", sort(["c", "a", "b"]))
    keys      = join(",", keys({ z = 1, y = 2 }))
    flattened = length(flatten([[1, 2], [3]]))
    merged    = jsonencode(merge({ a = 1 }, { b = 2 }))
    zipped    = jsonencode(zipmap(["x", "y"], [1, 2]))
    looked    = lookup({ a = "1" }, "b", "default")
    ranged    = jsonencode(range(1, 7, 2))
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
