-- Replays the requests of a file, round robin; each wrk thread starts at its own place in it.
--
--   wrk -s bench/load/replay.lua http://127.0.0.1:28000 -- requests.tsv
--
-- One request a line, tab-separated: METHOD, path, access token, and a JSON body (optional).
-- "{n}" in a body becomes a number unique to this thread and request, so writes do not repeat.

local threads = 0
local requests = {}
local n = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^(%S+)\t(%S+)\t(%S+)\t?(.*)$")
    requests[#requests + 1] = {method = method, path = path, body = body ~= "" and body or nil,
                               headers = {["Authorization"] = "Bearer " .. token,
                                          ["Content-Type"] = body ~= "" and "application/json" or nil}}
  end
  n = offset * 7919
end

function request()
  n = n + 1
  local r = requests[n % #requests + 1]
  local body = r.body and r.body:gsub("{n}", offset .. "-" .. n) or nil
  return wrk.format(r.method, r.path, r.headers, body)
end
