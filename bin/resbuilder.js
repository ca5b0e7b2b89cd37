#!/usr/bin/env node
require('../dist/trainer.js').cli();
