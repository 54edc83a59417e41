-- wrk script shared by scripts/bench.sh and scripts/drills.sh: POSTs pre-built JSON bodies, one
-- per request, cycling through the file; each wrk thread starts at its own offset.
-- Usage: wrk ... -s scripts/wrk-bodies.lua URL -- BODIES_FILE PATH
local bodies = {}
local counter = 0
local path = "/"
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  path = args[2]
  counter = math.random(#bodies)
end
function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, bodies[counter])
end
