-- tools/docs-include.lua - pandoc filter for the hộp write-ups and slides.
--
-- 1. Fills code blocks from files in labs/, so code is never pasted into a
--    write-up and cannot drift from what is compiled and tested:
--      ```{.c include="labs/01-namespaces/ns.c" function="ns_enter"}
--      ```
--    include="PATH"    relative to the project root; the whole file
--    function="NAME"   only that function: from its definition line (or the
--                      line before, when the return type stands alone there,
--                      kernel style) to the first "}" at column 0, with the
--                      comment block directly above it. C (.c/.h) or shell
--                      ("name() {" ... "}").
--    struct="NAME"     only C's "struct NAME {" ... "};" at column 0, with
--                      the comment block directly above it
--    lines="A-B"       only lines A to B (1-based, inclusive; "A" = one line)
--    A missing file, function or line range is an error: pandoc stops with a
--    non-zero status, so `make docs` fails loudly instead of printing a hole.
--
-- 2. Rewrites relative links for the HTML tree in build/: a link to a
--    write-up or slide (.md) goes to its built .html, any other relative
--    link (labs/..., tools/...) goes back to the file in the source tree.

local path = pandoc.path

-- An absolute path with "." and ".." resolved (pandoc.path.normalize in
-- pandoc 2.17 leaves ".." alone).
local function absolute(p)
	if path.is_relative(p) then
		p = path.join({ pandoc.system.get_working_directory(), p })
	end
	local parts = {}
	for _, part in ipairs(path.split(p)) do
		if part == ".." then
			table.remove(parts)
		elseif part ~= "." and part ~= "/" and part ~= "" then
			parts[#parts + 1] = part
		end
	end
	return "/" .. table.concat(parts, "/")
end

-- tools/docs-include.lua -> project root, whatever pandoc's working directory.
local top = absolute(path.join({ path.directory(PANDOC_SCRIPT_FILE), ".." }))

-- Stop pandoc with a one-line message naming the markdown file (pandoc's
-- own error() report adds a Lua stack trace that only hides the cause).
local function fail(msg)
	io.stderr:write((PANDOC_STATE.input_files[1] or "-") .. ": " .. msg .. "\n")
	os.exit(1)
end

local function read_lines(rel)
	local f = io.open(path.join({ top, rel }), "r")
	if not f then
		fail("cannot open include=\"" .. rel .. "\" (paths are relative to the project root)")
	end
	local lines = {}
	for line in f:lines() do
		lines[#lines + 1] = line
	end
	f:close()
	return lines
end

-- Lua patterns treat these characters as magic; a function name has none,
-- but escape anyway so a typo cannot turn into a pattern.
local function literal(s)
	return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

-- A definition starts at column 0 and names the function followed by "(".
-- A call or a prototype can look the same, so it must also reach a "{"
-- before any line that ends in ";".
local function is_definition(lines, i, name)
	local line = lines[i]
	local n = literal(name)
	local starts = line:match("^" .. n .. "%s*%(") or line:match("^function%s+" .. n .. "[%s%(]")
	local inside = line:match("^[%a_].-[^%w_]" .. n .. "%s*%(")
	if not (starts or inside) then
		return false
	end
	for j = i, #lines do
		if lines[j]:match("{%s*$") or lines[j]:match("^{") then
			return true
		end
		if lines[j]:match(";%s*$") then
			return false
		end
	end
	return false
end

local with_comment -- below: the comment block above a definition

-- The first line after first that matches the pattern closing (at column
-- 0), or a loud failure: a definition is never cut short.
local function closing_line(lines, first, closing, what)
	for j = first + 1, #lines do
		if lines[j]:match(closing) then
			return j
		end
	end
	fail(what .. " at column 0")
end

-- The first line i for which starts(i) holds, or nil.
local function first_line(lines, starts)
	for i = 1, #lines do
		if starts(i) then
			return i
		end
	end
	return nil
end

local function extract_function(lines, name, is_c)
	local first = first_line(lines, function(i) return is_definition(lines, i, name) end)
	if not first then
		return nil
	end
	local last = closing_line(lines, first, "^}", "function " .. name .. " has no closing \"}\"")
	-- Kernel style puts the return type alone on the line above the name.
	if is_c and lines[first]:match("^" .. literal(name)) and first > 1
	    and lines[first - 1]:match("^[%a_]") and not lines[first - 1]:match("[;}]%s*$") then
		first = first - 1
	end
	return with_comment(lines, first, last, is_c)
end

-- Lines first to last, and the comment block directly above them (no blank
-- line between): it explains why.
with_comment = function(lines, first, last, is_c)
	local k = first - 1
	if is_c and k >= 1 and lines[k]:match("%*/%s*$") then
		while k >= 1 and not lines[k]:match("/%*") do
			k = k - 1
		end
		first = math.max(k, 1)
	elseif is_c then
		while k >= 1 and lines[k]:match("^%s*//") do
			first, k = k, k - 1
		end
	else
		while k >= 1 and lines[k]:match("^%s*#") and not lines[k]:match("^#!") do
			first, k = k, k - 1
		end
	end
	return table.move(lines, first, last, 1, {})
end

-- "struct NAME {" at column 0, to the first "};" at column 0.
local function extract_struct(lines, name)
	local opening = "^struct%s+" .. literal(name) .. "%s*{"
	local first = first_line(lines, function(i) return lines[i]:match(opening) end)
	if not first then
		return nil
	end
	local last = closing_line(lines, first, "^};", "struct " .. name .. " has no closing \"};\"")
	return with_comment(lines, first, last, true)
end

local function extract_lines(lines, spec)
	local a, b = spec:match("^(%d+)%-(%d+)$")
	if not a then
		a = spec:match("^(%d+)$")
		b = a
	end
	a, b = tonumber(a), tonumber(b)
	if not a or a < 1 or b < a or b > #lines then
		fail("lines=\"" .. spec .. "\" is not a range A-B within 1-" .. #lines)
	end
	return table.move(lines, a, b, 1, {})
end

function CodeBlock(block)
	local rel = block.attributes.include
	if not rel then
		return nil
	end
	local fn, range = block.attributes["function"], block.attributes.lines
	local struct = block.attributes.struct
	if block.text:match("%S") then
		fail("the block for include=\"" .. rel .. "\" must be empty: code is included, never pasted")
	end
	if (fn and 1 or 0) + (range and 1 or 0) + (struct and 1 or 0) > 1 then
		fail("include=\"" .. rel .. "\": use one of function=, struct= or lines=")
	end

	local lines = read_lines(rel)
	local where = rel
	if fn then
		lines = extract_function(lines, fn, rel:match("%.[ch]$") ~= nil)
		if not lines then
			fail("function " .. fn .. " not found in " .. rel)
		end
		where = rel .. ": " .. fn
	elseif struct then
		lines = extract_struct(lines, struct)
		if not lines then
			fail("struct " .. struct .. " not found in " .. rel)
		end
		where = rel .. ": struct " .. struct
	elseif range then
		lines = extract_lines(lines, range)
		where = rel .. ":" .. range
	end

	block.text = table.concat(lines, "\n")
	block.attributes.include = nil
	block.attributes["function"] = nil
	block.attributes.lines = nil
	block.attributes.struct = nil
	block.attributes.title = where -- shown when the reader hovers the code
	return block
end

-- Where tools/docs puts the HTML of a markdown file (keep in sync with it).
local function built(rel)
	if rel == "README.md" or rel:match("^en/[^/]+%.md$") or rel:match("^vi/[^/]+%.md$") then
		return "build/docs/" .. rel:gsub("%.md$", ".html")
	elseif rel:match("^slides/[^/]+%.md$") then
		return "build/" .. rel:gsub("%.md$", ".html")
	end
	return nil
end

function Link(link)
	local src, out = PANDOC_STATE.input_files[1], PANDOC_STATE.output_file
	local target, fragment = link.target:match("^([^#]*)(.*)$")
	-- Only relative links in a file-to-file build; URLs, anchors and
	-- absolute paths stay as written.
	if not out or not src or src == "-" or target == ""
	    or target:match("^%a[%w+.-]*:") or path.is_absolute(target) then
		return nil
	end
	local dest = absolute(path.join({ path.directory(src), target }))
	local rel = path.make_relative(dest, top, true)
	if built(rel) then
		dest = path.join({ top, built(rel) })
	end
	link.target = path.make_relative(dest, path.directory(absolute(out)), true) .. fragment
	return link
end
