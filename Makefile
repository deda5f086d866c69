# Thin front door over CMake (CMakePresets.json). `make` builds build/ruru (release).
.PHONY: all release deps dev test run bench fuzz format clean

all: release

deps:
	@sh scripts/install-deps

release:
	@test -f build/release/build.ninja || cmake --preset release >/dev/null
	@cmake --build build/release
	@cp -p build/release/ruru build/ruru

dev: deps
	@test -f build/dev/build.ninja || cmake --preset dev >/dev/null
	@cmake --build build/dev

test: dev
	@cd build/dev && ctest --output-on-failure -j2

# The main job on the bundled examples: import the example intel (an advisory as STIX, a MISP
# event, a partner's defanged CSV, a Zeek intel file) into a scratch store, show what ruru knows
# about the actor named in the advisory, search a host, sweep the example logs (IIS,
# Exchange, Apache, Zeek, Suricata) for it all and record the incidents, then show them judged
# (who, how sure, on what evidence) and the statistic of serious incidents with state-sponsored
# actors' indicators. `intel search` and `scan` exit 1 when they find something, as grep does.
RUN_HOME = build/run-home
run: deps release
	@rm -rf $(RUN_HOME)
	./build/ruru --home $(RUN_HOME) intel import --format table examples/intel
	./build/ruru --home $(RUN_HOME) actors --format table Leviathan
	./build/ruru --home $(RUN_HOME) intel search --format table mail.examplebank-update.example \
		|| test $$? -eq 1
	./build/ruru --home $(RUN_HOME) scan --format table --record examples/logs || test $$? -eq 1
	./build/ruru --home $(RUN_HOME) report --format table
	./build/ruru --home $(RUN_HOME) stats --format table
	./build/ruru --home $(RUN_HOME) export --format stix -o build/examples.stix.json
	./build/ruru --home $(RUN_HOME) export --format misp -o build/examples.misp.json
	./build/ruru --home $(RUN_HOME) export --format html -o build/examples.html
	@echo "make run: the exports are build/examples.stix.json, build/examples.misp.json and build/examples.html"

bench: deps release
	@sh bench/run.sh

fuzz: deps
	@test -f build/fuzz/build.ninja || cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz
	@bash tools/run_fuzz.sh build/fuzz $${FUZZ_SECONDS:-30}

format:
	@clang-format-14 -i $$(find include src cli tests -name "*.[ch]" -o -name "*.inc")

clean:
	rm -rf build
