"""The second half of the bank of recommendation texts: freedoms, women, children,
persons with disabilities and economic, social and cultural rights, in report order."""

from server.demo.texts import Template
from server.demo.texts import template as _t

# fmt: off
TEMPLATES: tuple[Template, ...] = (
    # Fundamental freedoms and human rights defenders
    _t(4, "Take effective measures to ensure a safe and enabling environment for human rights "
          "defenders and journalists",
       "human-rights-defenders freedom-of-the-press", "human-rights-defenders media",
       "16 16.10"),
    _t(5, "Adopt a law on the protection of human rights defenders, in consultation with civil "
          "society",
       "human-rights-defenders", "human-rights-defenders", "16 16.10"),
    _t(4, "Ensure that all attacks, threats and acts of intimidation against journalists and "
          "human rights defenders are promptly investigated and those responsible brought to "
          "justice",
       "freedom-of-the-press human-rights-defenders impunity", "media human-rights-defenders",
       "16 16.10"),
    _t(5, "Decriminalise defamation and bring it within the civil code in line with "
          "international standards",
       "freedom-of-opinion-and-expression freedom-of-the-press", "media", "16 16.10",
       noted=True),
    _t(5, "Adopt legislation on access to information and ensure its effective implementation",
       "freedom-of-opinion-and-expression", "media", "16 16.10"),
    _t(4, "Ensure that online expression is protected and that cybercrime legislation is not used "
          "to restrict freedom of expression",
       "freedom-of-opinion-and-expression", "media human-rights-defenders", "16 16.10"),
    _t(5, "Revise the law on the crime of genocide ideology so that it cannot be used to restrict "
          "freedom of expression",
       "freedom-of-opinion-and-expression", "media human-rights-defenders", "16 16.10",
       noted=True, only="RWA"),
    _t(4, "Guarantee the right to freedom of peaceful assembly and ensure that law enforcement "
          "officials do not use excessive force against protesters",
       "freedom-of-association-and-peaceful-assembly human-rights-violations-by-state-agents",
       "law-enforcement-police-prison-officials civil-society", "16 16.1"),
    _t(4, "Ensure that the legal framework for non-governmental organisations allows them to "
          "register and operate without undue restrictions",
       "civil-society freedom-of-association-and-peaceful-assembly", "civil-society", "16 16.7"),
    _t(4, "Ensure that counter-terrorism legislation complies with international human rights "
          "law and is not used against peaceful critics",
       "counter-terrorism freedom-of-opinion-and-expression", "human-rights-defenders",
       only="KEN"),
    _t(4, "Guarantee freedom of religion or belief for all, including members of religious "
          "minorities",
       "freedom-of-religion-and-belief minorities", "minorities"),
    _t(4, "Ensure free, fair and peaceful elections and the full participation of women and youth "
          "in political life",
       "elections womens-rights", "women-girls youth", "5 16 5.5 16.7"),
    # Women's rights
    _t(2, "Continue its efforts to combat gender-based violence, including in rural areas",
       "womens-rights", "women-girls persons-living-in-rural-areas", "5 5.2"),
    _t(4, "Ensure that all cases of gender-based violence are investigated and prosecuted and "
          "that survivors have access to shelters, legal aid and medical care",
       "womens-rights justice", "women-girls", "5 5.2"),
    _t(5, "Criminalise marital rape explicitly in all circumstances",
       "womens-rights", "women-girls", "5 5.2"),
    _t(4, "Increase the representation of women in decision-making positions in public and "
          "political life",
       "womens-rights", "women-girls", "5 5.5"),
    _t(4, "Ensure women's equal access to land ownership and inheritance, in law and in practice",
       "womens-rights right-to-land", "women-girls persons-living-in-rural-areas", "5 5.a"),
    _t(1, "Share with other States its good practices in increasing the participation of women "
          "in parliament",
       "womens-rights", "women-girls", "5 5.5", only="RWA"),
    _t(5, "Adopt legislation implementing the two-thirds gender principle in elective and "
          "appointive bodies",
       "womens-rights elections", "women-girls", "5 5.5", only="KEN"),
    _t(5, "Adopt a national strategy to end female genital mutilation and strengthen the "
          "enforcement of the Prohibition of Female Genital Mutilation Act",
       "womens-rights rights-of-the-child", "women-girls children", "5 5.3", only="KEN"),
    _t(4, "Ensure the effective implementation of the Law on Prevention of Violence within the "
          "Family, including by increasing the number of shelters",
       "womens-rights", "women-girls", "5 5.2", only="ARM"),
    _t(4, "Strengthen the implementation of the revised Law on Combating Domestic Violence and "
          "train police officers to respond to complaints",
       "womens-rights", "women-girls law-enforcement-police-prison-officials", "5 5.2",
       only="MNG"),
    _t(5, "Amend the citizenship legislation so that {demonym} women can transmit citizenship to "
          "their children and foreign spouses on an equal basis with men",
       "womens-rights cp-rights-general", "women-girls stateless-persons", "5 16 5.1 16.9",
       only="NPL"),
    # Children
    _t(4, "Take measures to eliminate child, early and forced marriage, including by enforcing "
          "the minimum age of marriage of 18 years",
       "rights-of-the-child womens-rights", "children women-girls", "5 5.3",
       only="KEN MWI RWA"),
    _t(4, "Enforce the legal minimum age of marriage of 20 years and raise awareness of the harm "
          "caused by child marriage",
       "rights-of-the-child womens-rights", "children women-girls", "5 5.3", only="NPL"),
    _t(5, "Prohibit corporal punishment of children in all settings, including the home",
       "rights-of-the-child", "children", "16 16.2", only="KEN MWI"),
    _t(4, "Ensure universal and free birth registration, particularly in rural and remote areas",
       "rights-of-the-child", "children persons-living-in-rural-areas", "16 16.9"),
    _t(2, "Continue to combat child labour, in particular in agriculture and domestic work",
       "rights-of-the-child labour", "children", "8 8.7"),
    _t(2, "Continue to combat trafficking in persons, in particular women and children, and "
          "strengthen the identification and protection of victims",
       "trafficking", "women-girls children", "5 16 5.2 16.2"),
    _t(4, "Strengthen the juvenile justice system and ensure that the detention of children is a "
          "measure of last resort",
       "rights-of-the-child justice detention", "children persons-deprived-of-their-liberty",
       "16 16.3"),
    # Persons with disabilities
    _t(5, "Adopt a comprehensive law on the rights of persons with disabilities in line with the "
          "Convention on the Rights of Persons with Disabilities",
       "disabilities", "persons-with-disabilities", "10 10.2"),
    _t(4, "Ensure inclusive education for children with disabilities and the accessibility of "
          "public buildings and transport",
       "disabilities right-to-education", "persons-with-disabilities children", "4 11 4.5 11.2"),
    _t(4, "Take all measures necessary to protect persons with albinism from attacks and bring "
          "perpetrators to justice",
       "disabilities impunity", "persons-with-disabilities", "16 16.1", only="MWI"),
    _t(2, "Continue to implement the National Action Plan on Persons with Albinism",
       "disabilities national-plan-of-action", "persons-with-disabilities", only="MWI"),
    # Economic, social and cultural rights
    _t(2, "Continue its efforts to reduce poverty and inequality, paying particular attention to "
          "persons living in rural areas",
       "poverty development", "persons-living-in-poverty persons-living-in-rural-areas",
       "1 10 1.2 10.1"),
    _t(2, "Continue to promote sustainable development and economic growth for the benefit of "
          "all {demonym}s",
       "development", "", "1 8"),
    _t(4, "Improve access to quality health care, including maternal, sexual and reproductive "
          "health services, in rural areas",
       "right-to-health womens-rights", "women-girls persons-living-in-rural-areas",
       "3 3.1 3.7"),
    _t(2, "Continue to strengthen its national response to HIV/AIDS and combat the stigma faced "
          "by people living with HIV",
       "hiv-aids right-to-health", "persons-living-with-hiv-aids", "3 3.3"),
    _t(2, "Continue its efforts to ensure free and compulsory primary education and to reduce "
          "school drop-out rates, especially among girls",
       "right-to-education", "children women-girls", "4 4.1"),
    _t(2, "Continue its human rights education and training programmes for law enforcement "
          "officials, judges and prosecutors",
       "human-rights-education-and-training",
       "law-enforcement-police-prison-officials judges-lawyers-and-prosecutors", "4 4.7"),
    _t(4, "Ensure access to safe drinking water and sanitation for all, including in informal "
          "settlements",
       "right-to-water right-to-housing", "persons-living-in-poverty", "6 6.1 6.2"),
    _t(4, "Prevent forced evictions and ensure that any eviction complies with international "
          "standards and offers adequate alternative housing",
       "right-to-housing right-to-land", "persons-living-in-poverty", "11 11.1"),
    _t(4, "Strengthen food security programmes for the most vulnerable households",
       "right-to-food poverty", "persons-living-in-poverty", "2 2.1"),
    _t(3, "Consider adopting a national action plan on business and human rights",
       "esc-rights-general labour", "", "8 8.8"),
    _t(4, "Ensure decent working conditions and a minimum wage for all workers, including in the "
          "informal sector",
       "labour", "", "8 8.5 8.8"),
    _t(4, "Ensure that older persons have access to social protection and health care",
       "esc-rights-general right-to-health", "older-persons", "1 1.3"),
    _t(4, "Ensure that climate change adaptation and disaster risk reduction policies address the "
          "needs of persons in vulnerable situations",
       "environment development", "persons-living-in-poverty older-persons", "13 13.1"),
    _t(4, "Take effective measures to reduce air pollution in Ulaanbaatar and its impact on the "
          "health of children",
       "environment right-to-health", "children", "3 11 3.9 11.6", only="MNG"),
    _t(4, "Ensure that mining activities respect environmental standards and the rights of "
          "herders and local communities",
       "environment right-to-land", "persons-living-in-rural-areas", "15 15.1", only="MNG"),
    _t(4, "Ensure the free, prior and informed consent of indigenous peoples on projects "
          "affecting their lands and resources",
       "indigenous-peoples right-to-land", "indigenous-peoples", "", noted=True,
       only="KEN NPL"),
    # Migrants, refugees and displaced persons
    _t(4, "Strengthen the protection of {demonym} migrant workers abroad, including by regulating "
          "recruitment agencies and their fees",
       "migrants labour", "migrants", "8 10 8.8 10.7", only="NPL"),
    _t(2, "Continue to integrate refugees and guarantee their access to education, health care "
          "and employment",
       "asylum-seekers-refugees", "refugees-asylum-seekers", "10 10.7", only="ARM KEN MWI RWA"),
    _t(4, "Guarantee the principle of non-refoulement and access to fair asylum procedures",
       "asylum-seekers-refugees", "refugees-asylum-seekers", only="KEN MWI RWA"),
    _t(4, "Protect the rights of internally displaced persons and facilitate durable solutions, "
          "including their voluntary return",
       "internally-displaced-persons", "internally-displaced-persons", only="KEN NPL"),
)
# fmt: on
