# tflm for MicroPython: top-level build.
#   make deps                      install toolchains, Python deps, MicroPython source
#   make firmware TARGET=unix      host firmware (build/unix/micropython)
#   make firmware TARGET=qemu BOARD=MPS2_AN386   emulated board firmware (Cortex-M,
#                                  RISC-V: ports/qemu/boards)
#   make firmware TARGET=qemu BOARD=MPS2_AN386 OPS_FROM="a.tflite b.tflite"
#                                  only the op families those models need
#                                  (build/qemu-MPS2_AN386-ops-<hash>; also
#                                  TARGET=unix and make natmod)
#   make firmware TARGET=rp2 BOARD=RPI_PICO      a real port's firmware (stm32, rp2,
#                                  nrf, samd, esp32: ports/boards.txt)
#   make firmware ... FROZEN_MODELS="a.tflite b.tflite"   models frozen into the
#                                  firmware as module tflm_models, in
#                                  build/<unix|qemu-BOARD|port-BOARD>-models
#   make boards                    every real port's firmware that can be built here
#   make flash TARGET=esp32 BOARD=ESP32_GENERIC_S3 PORT=/dev/ttyUSB0
#   make run                       boot the default emulated board and run the demo
#   make test                      pytest on unix and the emulated M3, M4, M7, M55,
#                                  RV32 and M0 (ports/targets.txt)
#   make bench                     instruction counts, RAM and code size per board
#   make fuzz                      a longer libFuzzer campaign on the runtime core
#   make models                    regenerate the project's own models (needs TensorFlow)

TOP := $(CURDIR)
MICROPY_DIR ?= $(TOP)/deps/micropython
override MICROPY_DIR := $(abspath $(MICROPY_DIR))
VENV := $(TOP)/deps/venv
PYTHON := $(VENV)/bin/python
TARGET ?= unix
# Real ports (ports/boards.txt): built by the port's own Makefile through
# tools/port_build.py, which then checks the firmware.
REAL_PORTS := $(shell awk '/^[a-z]/ {print $$1}' $(CURDIR)/ports/boards.txt | sort -u)
ifeq ($(filter $(TARGET),$(REAL_PORTS)),)
BOARD ?= MPS2_AN386
endif
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Where the firmware runs (pytest target, QEMU board, CPU, kernel variant,
# QEMU machine): one line each in ports/targets.txt.
TARGETS_TABLE := $(TOP)/ports/targets.txt
# Targets `make test` covers: every line of the table, i.e. each kernel
# variant (portable C on unix, M3 and M0, RISC-V on RV32, Arm DSP on M4
# and M7, Helium on M55);
# override e.g. TEST_TARGETS="unix". TEST_SKIP leaves targets out of the
# table's list, e.g. TEST_SKIP="qemu-m0 qemu-rv32"; none by default (on
# qemu-m0, with 16 KiB of RAM, the tests skip what cannot fit, saying why).
TEST_SKIP ?=
TEST_TARGETS ?= $(filter-out $(TEST_SKIP),$(shell awk '/^[a-z]/ {print $$1}' $(TARGETS_TABLE)))
# The QEMU board of a pytest target ("-" for unix): $(call target_board,qemu-m4)
target_board = $(shell awk -v t=$(1) '/^[a-z]/ && $$1 == t {print $$2}' $(TARGETS_TABLE))
PYTEST_ARGS ?=
# The native module's tests in make test: tflm.mpy on the stock unix build
# and on stock emulated M4, M3 and RV32 firmware (`make natmod-test`; the
# model tests there narrowed to NATMOD_MODELS_K: hello_world and
# person_detect, the issue's list; `make natmod-test` alone runs them all).
NATMOD_IN_TEST ?= unix qemu-m4 qemu-m3 qemu-rv32
NATMOD_MODELS_K := not (test_model_matches_oracle or test_arena_not_above_tflm or test_small_arena) or person_detect or hello_world
# pytest sessions at once (one per target; each board is one QEMU thread).
TEST_JOBS ?= $(JOBS)
FUZZ_SMOKE_RUNS ?= 300000
FUZZ_SECONDS ?= 3600

# Model files frozen into the firmware: module tflm_models, one constant
# bytes object per file, used in place (tools/freeze_models.py writes its C
# source into the build folder, modtflm/micropython.mk or micropython.cmake
# compiles it; for the real ports tools/port_build.py does both). Such a
# firmware has a build folder of its own (suffix -models), so the normal one
# is untouched.
FROZEN_MODELS ?=
MODELS_SUFFIX := $(if $(strip $(FROZEN_MODELS)),-models)
# What make test freezes into the emulated M4's second firmware
# (python_tests/test_frozen_models.py): hello_world, and person_detect when
# the shared models are there.
TEST_FROZEN_MODELS := models/hello_world/hello_world_int8.tflite \
	$(wildcard $(TOP)/../shared/models/tflm/person_detect.tflite)

MPY_MAKE_FLAGS := USER_C_MODULES=$(TOP) FROZEN_MANIFEST= -j$(JOBS)
# $(call freeze_models,<build folder>): the step that writes the folder's
# tflm_models.c (only when the list or a model changed), and
# $(call models_flag,<build folder>) the flag that compiles it in.
freeze_models = $(if $(MODELS_SUFFIX),$(PYTHON) tools/freeze_models.py -o $(1)/tflm_models.c $(abspath $(FROZEN_MODELS)))
models_flag = $(if $(MODELS_SUFFIX),TFLM_FROZEN_MODELS_C=$(1)/tflm_models.c)

# OPS_FROM="a.tflite b.tflite": a firmware (unix, qemu) or tflm.mpy with only
# the op families and activation types those models need (the
# MICROPY_TFLM_OP_* / MICROPY_TFLM_TYPE_* flags tools/tflm_check.py derives),
# in a build folder of its own per flag set (-ops-<hash>): MicroPython's
# make does not rebuild objects when only the flags change.
ifneq ($(strip $(OPS_FROM)),)
OPS_CFLAGS := $(shell $(PYTHON) $(TOP)/tools/tflm_check.py --ops-cflags $(OPS_FROM))
ifneq ($(.SHELLSTATUS),0)
$(error OPS_FROM: tools/tflm_check.py --ops-cflags $(OPS_FROM) failed (message above))
endif
OPS_TAG := -ops-$(shell echo '$(OPS_CFLAGS)' | md5sum | cut -c1-8)
MPY_MAKE_FLAGS += CFLAGS_EXTRA="$(strip $(CFLAGS_EXTRA) $(OPS_CFLAGS))"
endif
# The first OPS_FROM build of a board starts from a copy of its full build
# without the module's objects (the flags reach only modtflm/): only those
# compile again. $(call ops_seed,<full build>,<OPS_FROM build>)
ops_seed = $(if $(OPS_TAG),if [ ! -d $(2) ] && [ -d $(1) ]; then cp -a $(1) $(2) && rm -rf $(2)/modtflm; fi)

UNIX_BUILD := $(TOP)/build/unix$(MODELS_SUFFIX)$(OPS_TAG)
UNIX_FW := $(UNIX_BUILD)/micropython
QEMU_BUILD = $(TOP)/build/qemu-$(BOARD)$(MODELS_SUFFIX)$(OPS_TAG)
QEMU_FW = $(QEMU_BUILD)/firmware.elf

.PHONY: all deps firmware unix qemu port boards flash run test models bench fuzz clean host-test print-build-dir FORCE

all: firmware

deps: $(VENV)/.deps.stamp

$(VENV)/.deps.stamp: tools/deps.sh requirements.txt
	MICROPY_DIR=$(MICROPY_DIR) tools/deps.sh
	touch $@

$(MICROPY_DIR)/mpy-cross/build/mpy-cross: | deps
	$(MAKE) -C $(MICROPY_DIR)/mpy-cross -j$(JOBS)

ifeq ($(TARGET),unix)
firmware: unix
else ifeq ($(TARGET),qemu)
firmware: qemu
else ifneq ($(filter $(TARGET),$(REAL_PORTS)),)
firmware: port
else
firmware:
	$(error TARGET must be unix, qemu or one of: $(REAL_PORTS))
endif

unix: deps $(MICROPY_DIR)/mpy-cross/build/mpy-cross
	$(call freeze_models,$(UNIX_BUILD))
	$(call ops_seed,$(TOP)/build/unix,$(UNIX_BUILD))
	$(MAKE) -C $(MICROPY_DIR)/ports/unix $(MPY_MAKE_FLAGS) $(call models_flag,$(UNIX_BUILD)) \
		VARIANT_DIR=$(TOP)/ports/unix/variants/tflm BUILD=$(UNIX_BUILD) \
		MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_PY_FFI=1

qemu: deps $(MICROPY_DIR)/mpy-cross/build/mpy-cross
	$(call freeze_models,$(QEMU_BUILD))
	$(call ops_seed,$(TOP)/build/qemu-$(BOARD),$(QEMU_BUILD))
	$(MAKE) -C $(MICROPY_DIR)/ports/qemu $(MPY_MAKE_FLAGS) $(call models_flag,$(QEMU_BUILD)) \
		BOARD=$(BOARD) BOARD_DIR=$(TOP)/ports/qemu/boards/$(BOARD) BUILD=$(QEMU_BUILD)

# The build folder `make firmware` uses for these TARGET, BOARD and OPS_FROM.
print-build-dir:
	@echo $(if $(filter unix,$(TARGET)),$(UNIX_BUILD),$(QEMU_BUILD))

# A real port (nrf: SD=s140 for a build with Nordic's SoftDevice, which you
# download first; see the README).
port: deps $(MICROPY_DIR)/mpy-cross/build/mpy-cross
	$(if $(OPS_TAG),$(error OPS_FROM builds TARGET=unix, TARGET=qemu and make natmod))
	$(PYTHON) tools/port_build.py build --port $(TARGET) --board "$(BOARD)" --jobs $(JOBS) $(if $(SD),--sd $(SD)) \
		$(if $(MODELS_SUFFIX),--frozen-models $(abspath $(FROZEN_MODELS)))

# Every real port that can be built here (submodules present; ESP32 only
# with ESP-IDF), each checked: links, fits flash, holds the module. Then
# frozen models on real ports: BOARDS_FROZEN_BUILD built again with
# hello_world frozen in (its normal build's objects reused: about a minute)
# and checked (module tflm_models and the model's bytes in the map, flash
# budget), and BOARDS_FROZEN_CONFIGURE (CMake ports) configured with it and
# checked to compile the models' file.
BOARDS_FROZEN_MODELS := models/hello_world/hello_world_int8.tflite
BOARDS_FROZEN_BUILD ?= samd:SEEED_WIO_TERMINAL
BOARDS_FROZEN_CONFIGURE ?= rp2:RPI_PICO
boards: deps $(MICROPY_DIR)/mpy-cross/build/mpy-cross
	$(PYTHON) tools/port_build.py all --jobs $(JOBS) --frozen-models $(BOARDS_FROZEN_MODELS) \
		--frozen-build $(BOARDS_FROZEN_BUILD) --frozen-configure $(BOARDS_FROZEN_CONFIGURE)
	$(PYTHON) tools/port_build.py table

flash: deps
	$(PYTHON) tools/port_build.py flash --port $(TARGET) --board "$(BOARD)" --serial $(or $(PORT),/dev/ttyUSB0)

run: deps
	$(MAKE) firmware TARGET=qemu BOARD=$(BOARD)
	$(PYTHON) tools/qemu_run.py --board $(BOARD) --firmware $(QEMU_FW) \
		--copy models/hello_world/hello_world_int8.tflite examples/hello_world.py

test: deps
	$(MAKE) firmware TARGET=unix
	$(MAKE) host-test
	@for b in $(foreach t,$(TEST_TARGETS),$(or $(call target_board,$(t)),$(error $(t) not in ports/targets.txt))); do \
		if [ "$$b" != "-" ]; then $(MAKE) firmware TARGET=qemu BOARD=$$b || exit 1; fi; \
	done
	$(if $(filter qemu-m4,$(TEST_TARGETS)),$(MAKE) firmware TARGET=qemu BOARD=MPS2_AN386 FROZEN_MODELS="$(TEST_FROZEN_MODELS)")
	TFLM_SAVE_MODELS=$(TOP)/build/fuzz/test-models \
		$(PYTHON) tools/run_pytest.py -j $(TEST_JOBS) $(foreach t,$(TEST_TARGETS),--target $(t)) -- $(PYTEST_ARGS)
	$(PYTHON) fuzz/fuzz.py --runs $(FUZZ_SMOKE_RUNS) --seed 1 --binary $(TOP)/build/host/fuzz_model
	$(PYTHON) fuzz/fuzz.py --runs $(FUZZ_SMOKE_RUNS) --seed 1 --binary $(TOP)/build/host/fuzz_model_dsp
	$(PYTHON) fuzz/fuzz.py --runs $(FUZZ_SMOKE_RUNS) --seed 1 --binary $(TOP)/build/host/fuzz_model_rv
	$(MAKE) boards
	$(MAKE) natmod-test NATMOD_TEST_TARGETS="$(NATMOD_IN_TEST)" PYTEST_ARGS='-k "$(NATMOD_MODELS_K)"'

# The runtime core on its own, built for the host (no MicroPython), with
# the sanitizer builds (portable, DSP-structured, RISC-V, reference
# kernels), the libFuzzer harnesses (fuzz/fuzz_model.c, portable,
# DSP-structured and RISC-V), and the Xtensa portability compile.
host-test: deps
	$(MAKE) -C modtflm/host all fuzz xtensa

# A campaign of FUZZ_SECONDS on each of the three fuzz builds.
fuzz: host-test
	$(PYTHON) fuzz/fuzz.py --seconds $(FUZZ_SECONDS) -j $(JOBS) --binary $(TOP)/build/host/fuzz_model
	$(PYTHON) fuzz/fuzz.py --seconds $(FUZZ_SECONDS) -j $(JOBS) --binary $(TOP)/build/host/fuzz_model_dsp
	$(PYTHON) fuzz/fuzz.py --seconds $(FUZZ_SECONDS) -j $(JOBS) --binary $(TOP)/build/host/fuzz_model_rv

# Instructions per invoke on the emulated boards, RAM, code size, host time
# vs the tflite_micro wheel (see bench/README.md).
bench: deps
	$(PYTHON) bench/bench.py $(BENCH_ARGS)

models:
	$(MAKE) -C models

clean:
	rm -rf build

# ---- Native module (natmod/): tflm.mpy for a stock firmware ------------------
# (block maintained with the natmod work; see natmod/README.md)
#   make natmod ARCH=<arch>        build/natmod/<arch>/tflm.mpy, with MicroPython's
#                                  py/dynruntime.mk and tools/mpy_ld.py
#   make natmod-all                every NATMOD_ARCHS (xtensawin only when
#                                  xtensa-esp32-elf-gcc is on PATH)
ARCH ?= x64
NATMOD_ARCHS := x64 armv6m armv7m armv7emsp armv7emdp rv32imc
ifneq ($(shell command -v xtensa-esp32-elf-gcc 2>/dev/null),)
NATMOD_ARCHS += xtensawin
endif

.PHONY: natmod natmod-all natmod-mip natmod-test stock-unix stock-qemu

# Stock firmware that loads it: the unix port's standard variant and our
# QEMU boards (hostfs, RAM disk, instruction counter), both built without
# USER_C_MODULES, i.e. without the built-in tflm module.
STOCK_UNIX_BUILD := $(TOP)/build/stock-unix
STOCK_QEMU_BUILD = $(TOP)/build/stock-qemu-$(BOARD)
STOCK_MAKE_FLAGS := FROZEN_MANIFEST= -j$(JOBS)

stock-unix: deps $(MICROPY_DIR)/mpy-cross/build/mpy-cross
	$(MAKE) -C $(MICROPY_DIR)/ports/unix $(STOCK_MAKE_FLAGS) BUILD=$(STOCK_UNIX_BUILD) \
		MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_PY_FFI=1

stock-qemu: deps $(MICROPY_DIR)/mpy-cross/build/mpy-cross
	$(MAKE) -C $(MICROPY_DIR)/ports/qemu $(STOCK_MAKE_FLAGS) \
		BOARD=$(BOARD) BOARD_DIR=$(TOP)/ports/qemu/boards/$(BOARD) BUILD=$(STOCK_QEMU_BUILD)

natmod: deps
	mkdir -p build/natmod/$(ARCH)$(OPS_TAG)
	$(MAKE) -C build/natmod/$(ARCH)$(OPS_TAG) -f $(TOP)/natmod/Makefile TOP=$(TOP) ARCH=$(ARCH) MPY_DIR=$(MICROPY_DIR) \
		$(if $(OPS_TAG),CFLAGS_EXTRA="$(strip $(CFLAGS_EXTRA) $(OPS_CFLAGS))")

natmod-all: deps
	@for a in $(NATMOD_ARCHS); do $(MAKE) natmod ARCH=$$a || exit 1; done

# build/natmod/mip: a mip package per architecture and the index by
# sys.implementation._mpy (tools/natmod_mip.py).
natmod-mip: natmod-all
	$(PYTHON) tools/natmod_mip.py package

# The suite's API, hello_world, person_detect and malformed-model tests (and
# the mip install over the pty) against tflm.mpy on stock firmware: unix
# (x64), the emulated M4 (armv7emsp), M3 (armv7m) and RV32 (rv32imc).
NATMOD_TEST_TARGETS ?= unix qemu-m4 qemu-m3 qemu-rv32
NATMOD_TESTS ?= python_tests/test_api.py python_tests/test_hello_world.py python_tests/test_models.py \
	python_tests/test_malformed.py python_tests/test_natmod_mip.py

natmod-test: deps
	$(MAKE) stock-unix
	@for t in $(NATMOD_TEST_TARGETS); do \
		b=`awk -v t=$$t '/^[a-z]/ && $$1 == t {print $$2}' $(TARGETS_TABLE)`; \
		a=`$(PYTHON) tools/natmod_mip.py arch $$t` || exit 1; \
		$(MAKE) natmod ARCH=$$a || exit 1; \
		if [ "$$b" != "-" ]; then $(MAKE) stock-qemu BOARD=$$b || exit 1; fi; \
	done
	TFLM_ASAN=0 $(PYTHON) tools/run_pytest.py -j $(TEST_JOBS) $(foreach t,$(NATMOD_TEST_TARGETS),--target $(t)) -- \
		--natmod $(NATMOD_TESTS) $(PYTEST_ARGS)
