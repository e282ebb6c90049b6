#!/usr/bin/env node
/** The `kafka-durability` command (package.json bin): kafka-durability --help. */
import { cli } from './cli.js'

process.exit(await cli(process.argv.slice(2)))
