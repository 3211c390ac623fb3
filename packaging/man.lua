-- Turns docs/cli.md into the oidfed(1) man page (packaging/meson.build runs
-- pandoc with this filter): the page's title heading becomes DESCRIPTION,
-- NAME and SYNOPSIS go before it and SEE ALSO after it. Everything else is
-- docs/cli.md as written.

local function para(text)
  return pandoc.Para(pandoc.read(text, 'markdown-smart').blocks[1].content)
end

-- Long inline code in a table cell (a path with its query, a JSON shape) may
-- break after these characters: troff's \: is a break point that prints
-- nothing.
local breakAfter = '[&?/,=|%]]'

local function breakableCode(code)
  if utf8.len(code.text) <= 16 then
    return code
  end
  local out = {}
  local piece = ''
  for _, c in utf8.codes(code.text) do
    local ch = utf8.char(c)
    piece = piece .. ch
    if ch:match(breakAfter) then
      table.insert(out, pandoc.Code(piece))
      table.insert(out, pandoc.RawInline('man', '\\:'))
      piece = ''
    end
  end
  if piece ~= '' then
    table.insert(out, pandoc.Code(piece))
  end
  return out
end

-- The longest run that cannot be broken: a word, or a code piece between
-- break points.
local function longestWord(text)
  local longest = 0
  for word in text:gsub(breakAfter, '%0 '):gmatch('%S+') do
    longest = math.max(longest, utf8.len(word) or #word)
  end
  return longest
end

-- GitHub pipe tables carry no column widths, and tbl then makes every column
-- as wide as its longest cell, wider than the page. Each column gets at least
-- its longest word, and the rest of the page (70 columns less the gaps
-- between columns, as pandoc and tbl count) by the length of its cells, so
-- that tbl wraps the cells within an 80-column terminal.
function Table(tbl)
  local lengths, words = {}, {}
  local function measure(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        local text = pandoc.utils.stringify(cell.contents)
        lengths[i] = math.max(lengths[i] or 0, utf8.len(text) or #text)
        words[i] = math.max(words[i] or 0, longestWord(text))
        cell.contents = pandoc.walk_block(pandoc.Div(cell.contents), { Code = breakableCode }).content
      end
    end
  end
  measure(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    measure(body.body)
  end
  local n = #tbl.colspecs
  local page = 70 - 3 * (n - 1) - 1
  local minimum, spare = 0, 0
  for i = 1, n do
    words[i] = math.min((words[i] or 0) + 1, (lengths[i] or 0) + 1)
    minimum = minimum + words[i]
    spare = spare + math.max(0, (lengths[i] or 0) - words[i])
  end
  for i, spec in ipairs(tbl.colspecs) do
    local width
    if minimum >= page or spare == 0 then
      width = page * (words[i] / minimum)
    else
      width = words[i] + (page - minimum) * (math.max(0, (lengths[i] or 0) - words[i]) / spare)
    end
    tbl.colspecs[i] = { spec[1], width / 70 }
  end
  return tbl
end

function Pandoc(doc)
  local blocks = {
    -- Ragged right, no hyphenation: justified text in narrow table cells
    -- cannot be spread, and code must not be hyphenated.
    pandoc.RawBlock('man', '.ad l'),
    pandoc.RawBlock('man', '.nh'),
    pandoc.Header(1, 'NAME'),
    para('oidfed - OpenID Federation 1.0 trust chain resolver and entity service'),
    pandoc.Header(1, 'SYNOPSIS'),
    para('**oidfed** [**--format** *json*|*text*] *command* [*options*] [*arguments*]'),
    para('**oidfed** **--version**'),
  }
  local titled = false
  for _, block in ipairs(doc.blocks) do
    if not titled and block.t == 'Header' and block.level == 1 then
      -- "`oidfed` command-line reference"
      table.insert(blocks, pandoc.Header(1, 'DESCRIPTION'))
      titled = true
    else
      table.insert(blocks, block)
    end
  end
  table.insert(blocks, pandoc.Header(1, 'SEE ALSO'))
  table.insert(blocks, para('**systemctl**(1), **systemd.service**(5); the service unit *oidfed.service* runs ' ..
                            '**oidfed serve --config /etc/oidfed/oidfed.json**. The configuration file, deployment ' ..
                            'and the operator guide: *docs/configuration.md*, *docs/deployment.md* and ' ..
                            '*docs/operator-guide.md* in the source, /usr/share/doc/oidfed/ in the Debian package.'))
  return pandoc.Pandoc(blocks, doc.meta)
end
