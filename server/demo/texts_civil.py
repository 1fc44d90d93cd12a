"""The civil and political half of the bank of recommendation texts, in report order."""

from server.demo.texts import Template
from server.demo.texts import template as _t

# fmt: off
TEMPLATES: tuple[Template, ...] = (
    # International instruments
    _t(5, "Ratify the Optional Protocol to the Convention against Torture",
       "torture-and-other-cid-treatment international-instruments",
       "persons-deprived-of-their-liberty", "16 16.3"),
    _t(3, "Consider ratifying the International Convention for the Protection of All Persons "
          "from Enforced Disappearance",
       "enforced-disappearances international-instruments", "", "16", noted=True),
    _t(5, "Ratify the Second Optional Protocol to the International Covenant on Civil and "
          "Political Rights, aiming at the abolition of the death penalty",
       "death-penalty international-instruments", "", "16", noted=True, only="KEN MWI"),
    _t(3, "Consider ratifying the International Convention on the Protection of the Rights of "
          "All Migrant Workers and Members of Their Families",
       "migrants international-instruments", "migrants", "8 10 8.8 10.7", noted=True),
    _t(3, "Consider ratifying the Optional Protocol to the International Covenant on Economic, "
          "Social and Cultural Rights",
       "esc-rights-general international-instruments", "", "", noted=True),
    _t(5, "Accede to the 1954 Convention relating to the Status of Stateless Persons and the "
          "1961 Convention on the Reduction of Statelessness",
       "international-instruments", "stateless-persons", "16 16.9", noted=True),
    _t(5, "Ratify the Rome Statute of the International Criminal Court",
       "international-instruments impunity", "", "16", noted=True, only="NPL RWA"),
    _t(5, "Ratify ILO Convention No. 189 concerning decent work for domestic workers",
       "labour international-instruments womens-rights", "women-girls migrants", "8 8.8"),
    _t(5, "Ratify the Optional Protocol to the Convention on the Rights of the Child on a "
          "communications procedure",
       "rights-of-the-child international-instruments", "children"),
    _t(3, "Consider ratifying the ILO Indigenous and Tribal Peoples Convention, 1989 (No. 169)",
       "indigenous-peoples international-instruments", "indigenous-peoples", noted=True,
       only="KEN RWA"),
    _t(5, "Ratify the Council of Europe Convention on Preventing and Combating Violence against "
          "Women and Domestic Violence",
       "womens-rights international-instruments", "women-girls", "5 5.2", noted=True,
       only="ARM"),
    # Cooperation with the mechanisms
    _t(5, "Extend a standing invitation to all special procedures of the Human Rights Council",
       "special-procedures", noted=True),
    _t(3, "Consider inviting the Special Rapporteur on the situation of human rights defenders "
          "to visit the country",
       "special-procedures human-rights-defenders", "human-rights-defenders"),
    _t(4, "Submit its overdue reports to the treaty bodies and respond to their follow-up "
          "requests in a timely manner",
       "treaty-bodies"),
    _t(1, "Seek technical assistance from OHCHR to strengthen its capacity to report to the "
          "treaty bodies",
       "technical-assistance-and-cooperation treaty-bodies"),
    _t(1, "Request technical assistance from OHCHR to set up a database tracking the "
          "implementation of the recommendations it receives",
       "upr-process technical-assistance-and-cooperation", "", "17 17.18"),
    _t(5, "Establish a national mechanism for implementation, reporting and follow-up, with a "
          "clear mandate to involve civil society",
       "upr-process treaty-bodies", "civil-society", "16 16.6"),
    _t(2, "Continue its constructive cooperation with the United Nations human rights "
          "mechanisms, including the universal periodic review",
       "upr-process general"),
    _t(4, "Involve civil society organisations systematically in the follow-up to the universal "
          "periodic review recommendations",
       "upr-process civil-society", "civil-society", "16 16.7"),
    _t(1, "Share its experience and good practices in universal birth registration with other "
          "developing countries",
       "rights-of-the-child technical-assistance-and-cooperation", "children", "16 16.9"),
    _t(1, "Seek the technical and financial support of the international community to implement "
          "its national human rights action plan",
       "technical-assistance-and-cooperation national-plan-of-action", "", "17 17.9"),
    # National framework
    _t(4, "Strengthen the independence and resources of the {nhri} in line with the Paris "
          "Principles",
       "nhri", "", "16 16.a"),
    _t(4, "Ensure that the {nhri} has the financial and human resources to carry out its mandate "
          "effectively, including in rural areas",
       "nhri", "persons-living-in-rural-areas", "16 16.a"),
    _t(5, "Adopt a national human rights action plan with measurable indicators and a dedicated "
          "budget",
       "national-plan-of-action"),
    _t(2, "Continue to implement its national human rights action plan in consultation with "
          "civil society",
       "national-plan-of-action civil-society", "civil-society"),
    _t(2, "Continue to cooperate with OHCHR and other partners to promote and protect human "
          "rights in {country}",
       "technical-assistance-and-cooperation general"),
    # Equality and non-discrimination
    _t(5, "Adopt a comprehensive anti-discrimination law covering all prohibited grounds, "
          "including sexual orientation and gender identity",
       "cp-rights-general sexual-orientation-and-gender-identity", "lgbti minorities",
       "10 10.3", noted=True),
    _t(4, "Take measures to combat discrimination and hate speech against minorities and ensure "
          "that such acts are investigated",
       "minorities racial-discrimination", "minorities", "10 10.3"),
    _t(5, "Decriminalise consensual same-sex relations between adults",
       "sexual-orientation-and-gender-identity", "lgbti", "10 10.3", noted=True,
       only="KEN MWI"),
    _t(4, "Protect lesbian, gay, bisexual, transgender and intersex persons from violence and "
          "ensure that attacks against them are investigated and prosecuted",
       "sexual-orientation-and-gender-identity impunity", "lgbti", "16 16.1", noted=True),
    _t(4, "Take measures to eliminate caste-based discrimination and untouchability, in law and "
          "in practice",
       "racial-discrimination minorities", "minorities", "10 10.3", only="NPL"),
    _t(4, "Strengthen the protection of the rights of persons belonging to national minorities, "
          "including Yazidis and Assyrians",
       "minorities", "minorities", "10 10.2", only="ARM"),
    # Death penalty, torture and detention
    _t(5, "Abolish the death penalty in law for all crimes",
       "death-penalty", "", "16", noted=True, only="KEN MWI"),
    _t(2, "Maintain the de facto moratorium on executions with a view to abolishing the death "
          "penalty",
       "death-penalty", "", "16", only="KEN MWI"),
    _t(5, "Criminalise torture in accordance with article 1 of the Convention against Torture, "
          "with penalties commensurate with the gravity of the crime",
       "torture-and-other-cid-treatment", "persons-deprived-of-their-liberty", "16 16.3"),
    _t(4, "Ensure prompt, impartial and effective investigations into all allegations of torture "
          "and ill-treatment by law enforcement officials",
       "torture-and-other-cid-treatment human-rights-violations-by-state-agents impunity",
       "law-enforcement-police-prison-officials persons-deprived-of-their-liberty", "16 16.3"),
    _t(4, "Improve conditions of detention and reduce prison overcrowding, including through "
          "alternatives to pretrial detention",
       "detention", "persons-deprived-of-their-liberty", "16 16.3"),
    _t(5, "Establish an independent national preventive mechanism with unrestricted access to "
          "all places of deprivation of liberty",
       "torture-and-other-cid-treatment detention", "persons-deprived-of-their-liberty"),
    _t(4, "Take effective measures to end extrajudicial killings and enforced disappearances by "
          "security forces and bring perpetrators to justice",
       "extrajudicial-executions enforced-disappearances impunity",
       "law-enforcement-police-prison-officials", "16 16.1", only="KEN"),
    _t(4, "Strengthen the Independent Policing Oversight Authority and ensure that its findings "
          "on police killings lead to prosecutions",
       "human-rights-violations-by-state-agents impunity",
       "law-enforcement-police-prison-officials", "16 16.1", only="KEN"),
    _t(4, "Investigate all reports of enforced disappearances and deaths in custody and hold "
          "those responsible to account",
       "enforced-disappearances detention impunity", "persons-deprived-of-their-liberty",
       "16 16.3", noted=True, only="RWA"),
    _t(4, "Ensure that all non-combat deaths in the armed forces are investigated thoroughly, "
          "independently and transparently",
       "human-rights-violations-by-state-agents impunity", "", "16 16.3", only="ARM"),
    _t(5, "Repeal the rogue and vagabond offences of the Penal Code, which are used against "
          "persons living in poverty",
       "detention poverty", "persons-living-in-poverty", "16 16.3", only="MWI"),
    # Justice and the rule of law
    _t(4, "Guarantee the independence of the judiciary and ensure that judges are appointed "
          "through a transparent, merit-based process",
       "justice", "judges-lawyers-and-prosecutors", "16 16.3"),
    _t(4, "Improve access to justice for persons living in poverty, including by expanding free "
          "legal aid services",
       "justice poverty", "persons-living-in-poverty", "16 16.3"),
    _t(2, "Continue its efforts to fight corruption, including by strengthening the "
          "anti-corruption agency and protecting whistle-blowers",
       "corruption", "public-officials", "16 16.5"),
    _t(4, "Implement the recommendations of the Truth, Justice and Reconciliation Commission, "
          "including on reparations for victims",
       "impunity justice", "", "16 16.3", only="KEN"),
    _t(4, "Ensure that the Truth and Reconciliation Commission and the Commission of "
          "Investigation on Enforced Disappeared Persons work independently and to international "
          "standards",
       "impunity enforced-disappearances justice", "", "16 16.3", only="NPL"),
    _t(5, "Amend the transitional justice legislation to exclude amnesties for serious human "
          "rights violations",
       "impunity justice", "", "16 16.3", noted=True, only="NPL"),
    _t(2, "Continue to improve access to justice, including through the Abunzi mediation "
          "committees, in line with fair trial guarantees",
       "justice", "", "16 16.3", only="RWA"),
    _t(2, "Continue its efforts to promote unity and reconciliation among all Rwandans",
       "general", "", "16", only="RWA"),
)
# fmt: on
