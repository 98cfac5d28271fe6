"use strict";
// The package's runtime entry. Published, the package ships only the compiled tree
// (bin/components/index.js, with the controls/ it imports in bin/controls/). In the repository the
// TypeScript sources sit beside this file and always win, so nothing here can run a stale
// build: ts-node and jest transpile them on load.
const fs = require("fs");
const path = require("path");

module.exports = fs.existsSync(path.join(__dirname, "index.ts"))
  ? require("./index.ts")
  : require("./bin/components/index.js");
