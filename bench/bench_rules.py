"""Time the screening rules: row_reasons (+ classify) over varied accounts.

Run: /work/venv/bin/python bench/bench_rules.py [--accounts 200000] [--seed 1]

The importer must screen 1,000,000 accounts in well under 60 s in total, so the
rules alone should cost a few microseconds per account. The facts are built before
the clock starts; only screening is timed. Every account is distinct (distinct
phones and ID numbers), so caches only help where they would on real data.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import date, timedelta

from counter_app.domain.codes import CustomerType, DepositoryStatus, IdType, Market
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    classify,
    row_reasons,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕文斌志雨欣国"
PROVINCES = ("11", "31", "32", "43", "44", "21", "51", "61", "65", "81")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
STREETS = ("中山路", "解放西路", "韶山北路", "五一大道", "八一路", "人民东路")
CITIES = ("长沙市天心区", "长沙市芙蓉区", "北京市朝阳区", "上海市徐汇区", "广州市天河区")


def rid(rng: random.Random, born: date) -> str:
    first17 = (
        f"{rng.choice(PROVINCES)}{rng.randrange(10000):04d}{born:%Y%m%d}{rng.randrange(1000):03d}"
    )
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.01:
        return rng.choice(("", "无", "不详"))
    if roll < 0.02:
        first = rng.choice(("阿依", "买买提", "古丽"))
        return f"{first}{rng.choice('·•・.')}{rng.choice(('艾力', '吐尔逊'))}"
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def id_number(rng: random.Random) -> str:
    born = date(1930, 1, 1) + timedelta(days=rng.randrange(27000))
    number = rid(rng, born)
    roll = rng.random()
    if roll < 0.03:  # old 15-digit
        return number[:6] + number[8:17]
    if roll < 0.05:  # typo in the check char
        return number[:17] + ("0" if number[17] != "0" else "1")
    if roll < 0.06:
        return ""
    if roll < 0.1:
        return number.lower()
    return number


def phone(rng: random.Random) -> str:
    roll = rng.random()
    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    if roll < 0.70:
        return mobile
    if roll < 0.78:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if roll < 0.82:
        return f"+86 {mobile}"
    if roll < 0.92:
        return f"0{rng.choice(('731', '10', '21', '755'))}-{rng.randrange(2 * 10**7, 9 * 10**7)}"
    if roll < 0.95:
        return str(rng.randrange(10**7, 10**8))  # no area code
    return rng.choice(("", "无", "12345"))


def address(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(("", "不详"))
    if roll < 0.04:
        return "长沙市"
    street = f"{rng.choice(STREETS)}{rng.randrange(1, 500)}号"
    return f"{rng.choice(CITIES)}{street}{rng.randrange(1, 30)}栋"


def account(rng: random.Random, index: int) -> AccountFacts:
    customer_name = name(rng)
    number = id_number(rng)
    securities = []
    for market in rng.sample((Market.SH, Market.SZ), k=rng.choice((0, 1, 1, 2, 2))):
        holder_name, holder_id = customer_name, number
        if rng.random() < 0.02:
            holder_name = name(rng)
        if rng.random() < 0.02:
            holder_id = id_number(rng)
        account_no = f"A{index:09d}" if market is Market.SH else f"0{index:09d}"
        securities.append(SecuritiesFacts(market, account_no, holder_name, holder_id))
    opened = date(1995, 1, 1) + timedelta(days=rng.randrange(11000))
    small = rng.random() < 0.15
    last_trade = None if rng.random() < 0.05 else opened + timedelta(days=rng.randrange(3000))
    return AccountFacts(
        name=customer_name,
        customer_type=CustomerType.INDIVIDUAL,
        id_type=IdType.RIC if rng.random() < 0.98 else IdType.PASSPORT,
        id_number=number,
        phone=phone(rng),
        address=address(rng),
        has_paper_file=rng.random() < 0.95,
        opened_on=opened,
        balance_cents=rng.randrange(0, 10001) if small else rng.randrange(10**9),
        holdings_cents=0 if small else rng.randrange(10**9),
        last_trade_on=last_trade,
        securities=tuple(securities),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    accounts = [account(rng, i) for i in range(args.accounts)]
    policy = ScreeningPolicy(base_date=date(2026, 4, 1))

    start = time.perf_counter()
    all_reasons = [row_reasons(facts, policy) for facts in accounts]
    reasons_seconds = time.perf_counter() - start

    start = time.perf_counter()
    classes = Counter(classify(reasons, DepositoryStatus.NONE) for reasons in all_reasons)
    classify_seconds = time.perf_counter() - start

    per_account = reasons_seconds / len(accounts) * 1e6
    print(f"accounts: {len(accounts)}")
    print(f"row_reasons: {reasons_seconds:.2f} s, {per_account:.2f} µs per account")
    print(f"classify:    {classify_seconds:.2f} s, {classify_seconds / len(accounts) * 1e6:.2f} µs")
    print(f"projected for 1,000,000 accounts: {per_account:.1f} s")
    for account_class, count in sorted(classes.items()):
        print(f"  {account_class.value:<24} {count}")


if __name__ == "__main__":
    main()
