# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 9:5: unsupported attribute "${node.region}"; a constraint reads ${attr.…}, ${meta.…}, ${device.…} or one of ${node.unique.id}, ${node.datacenter}, ${node.unique.name}, ${node.class}, ${node.pool}
# expect: 15:7: unsupported attribute "${driver.docker.version}"; a constraint reads ${attr.…}, ${meta.…}, ${device.…} or one of ${node.unique.id}, ${node.datacenter}, ${node.unique.name}, ${node.class}, ${node.pool}
# expect: 21:7: attribute "$attr.kernel.name" is missing an opening brace
# What a constraint's attribute may interpolate: attr, meta and device
# values, and a few node fields.
job "placement" {
  constraint {
    attribute = "${node.region}"
    value     = "eu"
  }

  group "g" {
    constraint {
      attribute = "${driver.docker.version}"
      operator  = ">="
      value     = "20"
    }

    constraint {
      attribute = "$attr.kernel.name"
      value     = "linux"
    }

    task "t" {
      driver = "exec"

      config {
        command = "/usr/bin/place"
      }
    }
  }
}
